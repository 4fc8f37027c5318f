"""`mlsim completion SHELL`: the shell completion script (argcomplete) for bash, zsh or fish."""

from __future__ import annotations

SHELLS = ("bash", "zsh", "fish")
EXAMPLES = """\
  eval "$(mlsim completion bash)"         in ~/.bashrc
  eval "$(mlsim completion zsh)"          in ~/.zshrc, after compinit
  mlsim completion fish > ~/.config/fish/completions/mlsim.fish
"""


def add_arguments(p) -> None:
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args) -> int:
    import argcomplete

    print(argcomplete.shellcode(["mlsim"], shell=args.shell), end="")
    return 0
