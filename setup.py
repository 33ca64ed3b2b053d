"""The package's one C extension, optional: without a C compiler the install goes on without it (setup.cfg)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("autograd._untracked", ["autograd/_untracked.c"], optional=True)])
