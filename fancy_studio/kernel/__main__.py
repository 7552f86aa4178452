"""`python -m fancy_studio.kernel`: the kernel process (started by `Kernel`, never by hand)."""

from fancy_studio.kernel.child import main

if __name__ == "__main__":
    main()
