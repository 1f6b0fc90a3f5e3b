# Set-up is part of every target: a fresh Debian machine (root) needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB ?= demo/演示学校.db

.PHONY: run test bench deps clean

# Debian packages only the checks need: LibreOffice reads our workbooks, poppler (pdfsig, pdffonts,
# pdftoppm) and NSS tools read our PDFs, as real clients would.
TEST_APT_PACKAGES := libreoffice-calc-nogui poppler-utils libnss3-tools

deps: $(STAMP)

$(STAMP): pyproject.toml installer/system-deps.sh
	PYTHON=$(PYTHON) bash installer/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Until the window exists, `run` builds a demo school and prints its summary.
run: deps
	mkdir -p demo
	rm -f "$(DEMO_DB)" "$(DEMO_DB)-wal" "$(DEMO_DB)-shm"
	$(BIN)/jiaoyu --db "$(DEMO_DB)" init --school-code 5101230001 --school-name 演示村小学 --township 青石镇 --county 示范县
	$(BIN)/jiaoyu --db "$(DEMO_DB)" demo --students 300 --seed 7
	$(BIN)/jiaoyu --db "$(DEMO_DB)" summary

test: deps
	JIAOYU_APT_PACKAGES="$(TEST_APT_PACKAGES)" bash installer/system-deps.sh
	$(BIN)/python -m pytest -q

bench: deps
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) demo build *.egg-info
