"""Complete, commented example definitions, one per edubadges variant.

``credledger achievement template VARIANT`` prints them and docs/definitions.md shows
them; a test checks that both agree and that ``achievement define`` accepts each as it
stands.
"""

from __future__ import annotations

from typing import Final

MICROCREDENTIAL: Final = """\
# A microcredential: a short, assessed unit with the EU standard elements.
# Define it: credledger achievement define microcredential.yaml --issuer ISSUER_ID --data ./ledger
name: Teaching with Data                   # unique per issuer; at most 500 characters
description: >-                             # what the learner did
  Reading, cleaning and presenting data in the classroom.
criteria: >-                                # what earns the credential
  Pass the practical assessment and submit a portfolio.
variant: microcredential                    # regular | microcredential | extracurricular
learning_outcomes:                          # at least one
  - Cleans a data set
  - Chooses a suitable chart
language: nl                                # BCP 47 language tag of the course
ects: 4                                     # 3 to 30 in steps of 0.5 (or sbu: 240 or more)
eqf_level: 6                                # European Qualifications Framework, 1 to 8
participation: onsite or blended            # online | onsite or blended | volunteering |
                                            # work experience | personalized learning activities
assessment: application of a skill          # testing | application of a skill | portfolio |
                                            # recognition of prior learning
supervision: onsite with identity verification
  # unsupervised with no identity verification | supervised with no identity verification |
  # supervised online | onsite with identity verification
identity_checked: true                      # was the learner's identity checked? true | false
quality_assurance:                          # who assures the quality
  name: NVAO accredited programme
  url: https://www.nvao.net/                # optional
  description: Accredited bachelor programme # optional
# Optional for every variant:
result:                                     # what an award carries (default: status)
  type: grade                               # status | grade | pass_fail | percentage
  pass_mark: 5.5                            # grade or percentage: nothing lower is awarded
valid_for_days: 1825                        # credentials expire this many days after award
prerequisites: Basic spreadsheet skills     # text, or a list of texts
tags: [data, teaching]                      # catalogue keywords
"""

REGULAR: Final = """\
# A regular badge: part of an accredited programme (Dutch higher or vocational education).
# Define it: credledger achievement define regular.yaml --issuer ISSUER_ID --data ./ledger
name: Research Methods                      # unique per issuer; at most 500 characters
description: >-
  Designing, running and reporting a small empirical study.
criteria: >-
  Pass the exam and the research report.
variant: regular
learning_outcomes:
  - Formulates a research question
  - Chooses a suitable method
language: en                                # BCP 47 language tag
ects: 5                                     # 0.5 to 240 in steps of 0.5 (or sbu: hours)
education_program_identifier: 34567         # the programme's code (CROHO/CREBO), required
eqf_level: 6                                # 1 to 8; a regular badge needs eqf_level or
                                            # quality_assurance (or both)
result: grade                               # awards carry a Dutch grade, 1 to 10
# Optional: quality_assurance, participation, assessment, supervision, identity_checked
# (the values listed in the microcredential template), valid_for_days, prerequisites, tags.
"""

EXTRACURRICULAR: Final = """\
# An extracurricular badge: learning outside the curriculum; no study load is required.
# Define it: credledger achievement define extracurricular.yaml --issuer ISSUER_ID --data ./ledger
name: Student Council Member                # unique per issuer; at most 500 characters
description: >-
  A year on the student council, representing the faculty.
criteria: >-
  Attend the council's meetings for one academic year.
variant: extracurricular
learning_outcomes:
  - Represents fellow students
language: nl                                # BCP 47 language tag
participation: volunteering                 # optional, values as for a microcredential
# Optional: ects or sbu, eqf_level, quality_assurance, assessment, supervision,
# identity_checked, education_program_identifier, valid_for_days, prerequisites, tags.
"""

TEMPLATES: Final = {
    "regular": REGULAR,
    "microcredential": MICROCREDENTIAL,
    "extracurricular": EXTRACURRICULAR,
}
