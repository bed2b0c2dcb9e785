"""``python -m mekong.payments.qr decode PAYLOAD``: the ``qr`` CLI without the main program."""

import sys

from mekong.payments.cli import main

if __name__ == "__main__":
    sys.exit(main())
