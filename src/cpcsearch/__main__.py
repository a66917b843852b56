"""`python -m cpcsearch` runs the command line."""

from cpcsearch.cli import main

main()
