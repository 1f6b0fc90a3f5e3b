# The Windows setup program, built and tested on Linux (see installer/windows/README.md).
.PHONY: dist-windows dist-test-windows

WIN_VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)
WIN_SETUP   := dist/控辍保学与家访台账-$(WIN_VERSION)-win64-setup.exe
# Everything that goes into it: a test run rebuilds it only when one of these changed.
WIN_INPUTS  := $(shell git ls-files jiaoyuapp ui resources installer/windows 2>/dev/null) pyproject.toml

# Always builds (a release).
dist-windows:
	PYTHON=$(PYTHON) bash installer/windows/build.sh

$(WIN_SETUP): $(WIN_INPUTS)
	PYTHON=$(PYTHON) bash installer/windows/build.sh

dist-test-windows: $(WIN_SETUP) deps
	bash installer/windows/test.sh
