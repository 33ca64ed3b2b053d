"""Auditing hand-derived backpropagation: documents' printed numbers checked against the engine."""
