"""Child entry point: ``python -m sim.experiments.bench CASE JSON`` runs one case."""

import sys

from sim.experiments.bench.cases import main

if __name__ == "__main__":
    main(sys.argv[1:])
