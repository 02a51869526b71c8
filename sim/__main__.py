import sys

from sim.experiments.pool import warm_up_for

warm_up_for(sys.argv[1:])  # a sweep's workers start importing while the command line loads

from sim.cli import main  # noqa: E402

main()
