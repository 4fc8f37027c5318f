"""One module per `mlsim` subcommand: `add_arguments(parser)` and `run(args) -> exit code`."""
