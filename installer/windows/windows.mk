# The Windows setup program, built and tested on Linux (see installer/windows/README.md).
.PHONY: dist-windows dist-test-windows

dist-windows:
	PYTHON=$(PYTHON) bash installer/windows/build.sh

dist-test-windows: dist-windows deps
	bash installer/windows/test.sh
