"""The registrations of the rule kinds, one module per family: ``deduct`` (points are the leaf's points
less a deduction), ``award`` (points are what the unit earns) and ``assessed`` (points from a measure,
a grade, a judgement or a rank). :mod:`scoring.spec.rules` imports them all."""
