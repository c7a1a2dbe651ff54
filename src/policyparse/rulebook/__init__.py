"""Everything policyparse knows about rules: the rule-file models (`schema`), reading and
merging the shipped files with a user's (`load`), the backtracking check (`safety`), and
what the stages run, derived once per rule book (`compiled`). The rules themselves are
data, in `rules/*.toml`.
"""

from .load import FILES, default_rules, load_rules
from .schema import PatternRule, RuleBook

__all__ = ["FILES", "PatternRule", "RuleBook", "default_rules", "load_rules"]
