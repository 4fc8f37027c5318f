"""The rules the coach cites; the catalogue itself lives in sim.rules so case files can name rule ids."""

from sim.rules import RULE_IDS, RULES, Rule

__all__ = ["RULE_IDS", "RULES", "Rule"]
