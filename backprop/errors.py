"""The error every reader of backprop's input files raises: claim files, expression specs, what a NAME stands for."""


class DocumentError(ValueError):
    """A file that cannot be read: the message names the file, the line and the field."""
