"""The rule set that ships with policyparse: data files read by `policyparse.rulebook`."""
