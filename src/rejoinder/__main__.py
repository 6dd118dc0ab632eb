"""`python -m rejoinder` is the same as `rejoinder`."""

from rejoinder.cli import main

main()
