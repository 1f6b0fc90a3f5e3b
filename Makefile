# Set-up is part of every target: a fresh Debian machine (root) needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench deps clean screenshots

# Debian packages the window needs: Qt's own libraries (offscreen and on a desktop, via xcb).
APP_APT_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
	libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6

# Debian packages only the checks need: LibreOffice reads our workbooks, poppler (pdfsig, pdffonts,
# pdftoppm) and NSS tools read our PDFs, as real clients would; a virtual X server (xvfb) shows the
# window as on a desktop.
TEST_APT_PACKAGES := libreoffice-calc-nogui poppler-utils libnss3-tools xvfb xauth fonts-dejavu-core

deps: $(STAMP)

$(STAMP): pyproject.toml installer/system-deps.sh
	PYTHON=$(PYTHON) JIAOYU_APT_PACKAGES="$(APP_APT_PACKAGES)" bash installer/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The window. With no school database yet it starts the first-run wizard (which also offers a
# demo school); `make run DB=path/to/school.db` opens that one.
run: deps
	$(BIN)/jiaoyu-app $(if $(DB),--db "$(DB)")

# Pictures of every main screen on a demo school (the README shows them).
screenshots: deps
	QT_QPA_PLATFORM=offscreen $(BIN)/jiaoyu-app --screenshots docs/screenshots

test: deps
	JIAOYU_APT_PACKAGES="$(TEST_APT_PACKAGES)" bash installer/system-deps.sh
	$(BIN)/python -m pytest -q

bench: deps
	$(BIN)/python -m bench.run

clean:
	rm -rf --one-file-system $(VENV) demo build *.egg-info  # never through a build root's /proc or /dev left mounted
# The installers (issue 13): `make dist` builds both packages into dist/ (the .deb and the Windows
# setup program), `make dist-test` installs each as a school would and checks it (a fresh Debian 12
# root under Xvfb; a fresh wine prefix). See installer/deb/README.md, installer/windows/README.md.
# Neither is a prerequisite of `test`.
.PHONY: dist dist-test
dist: dist-deb dist-windows
dist-test: dist-test-deb dist-test-windows

include installer/deb/deb.mk installer/windows/windows.mk
