"""mlsim: a simulator that trains the judgement of people who lead machine-learning projects."""


def __getattr__(name: str):
    # The version is written once, in pyproject.toml; read from the installed metadata only when asked,
    # so importing sim (every command) does not pay for importlib.metadata.
    if name == "__version__":
        from importlib.metadata import version

        return version("mlsim")
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
