"""mlsim: a simulator that trains the judgement of people who lead machine-learning projects."""

__version__ = "0.1.0"
