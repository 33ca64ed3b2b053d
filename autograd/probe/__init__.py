"""Probing a learner's micrograd-style ``Value`` class against this engine, op by op (see autograd.testing)."""
