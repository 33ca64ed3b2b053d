"""Expressions worked by hand in lectures, as expression specs, read by ``backprop.expressions.example(name)``."""
