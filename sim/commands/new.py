"""`mlsim new NAME`: write a commented starter case into the user's cases folder, with the schema editors read."""

from __future__ import annotations

import re

from sim.commands.output import EXIT_INVALID, EXIT_USAGE, fail

EXAMPLES = """\
  mlsim new leaves-on-the-line
  mlsim new owls && mlsim validate owls
"""
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def add_arguments(p) -> None:
    p.add_argument("name", metavar="NAME", help="the new case's id: lowercase letters, digits and - (e.g. my-case)")


def run(args) -> int:
    from sim.scenario import BUILTIN_IDS, home, user_folder
    from sim.scenario.editor import write_schema
    from sim.scenario.starter import starter_case

    name = args.name
    if not _ID.match(name):
        return fail(f"'{name}' cannot be a case id; use lowercase letters, digits and - (e.g. leaves-on-the-line)",
                    EXIT_USAGE)
    if name in BUILTIN_IDS:
        return fail(f"'{name}' is a built-in case; pick another name (copy it with a new id to adapt it)", EXIT_USAGE)
    home()  # DataFolderError: one sentence naming the data folder and the fix
    folder = user_folder()
    path = folder / f"{name}.yaml"
    if path.exists():
        return fail(f"{path} already exists; pick another name or edit that file", EXIT_INVALID)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as out:  # "x": never overwrite, even if it appeared just now
            out.write(starter_case(name))
        schema = write_schema(folder)  # the starter's modeline points at it; refreshed for this version
    except FileExistsError:
        return fail(f"{path} already exists; pick another name or edit that file", EXIT_INVALID)
    except OSError as err:
        return fail(f"cannot write {path} ({err.strerror}); check the folder's permissions (MLSIM_HOME sets it)")
    print(f"Wrote {path}")
    print(f"Wrote {schema} (your editor completes and checks the case with it)")
    print(f"Next: edit it, then `mlsim validate {path}`, `mlsim lint {name}` and `mlsim play {name}`.")
    return 0
