"""The built-in cases, one YAML file each; the build installs this folder as the package sim.scenarios."""
