import sys

from eiso.cli import main

sys.exit(main())
