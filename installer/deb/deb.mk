# The .deb for Debian/UOS/Kylin (installer/deb/README.md). Included by the top-level Makefile.
#   make dist-deb        dist/jiaoyu-app_<version>_amd64.deb, frozen in a bullseye root under build/deb
#   make dist-test-deb   installs it (and, first, an older version with data) into a fresh bookworm
#                        root and checks the installed app under Xvfb; see installer/deb/test.sh
DEB_VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)
DEB_FILE    := dist/jiaoyu-app_$(DEB_VERSION)_amd64.deb
# The older version the upgrade test starts from: a commit of main with an older schema (8 migrations).
DEB_OLD_REF ?= 2a83df9

.PHONY: dist-deb dist-test-deb

# Everything that goes into it: a test run rebuilds it only when one of these changed (so
# `make dist dist-test` builds it once).
DEB_INPUTS  := $(shell git ls-files jiaoyuapp ui resources installer/deb 2>/dev/null) pyproject.toml

# Always builds (a release).
dist-deb:
	bash installer/deb/build.sh --out dist

$(DEB_FILE): $(DEB_INPUTS)
	bash installer/deb/build.sh --out dist

dist-test-deb: deps $(DEB_FILE)
	JIAOYU_DEB_OLD_REF=$(DEB_OLD_REF) bash installer/deb/old.sh
	bash installer/deb/test.sh $(DEB_FILE) build/deb/old-dist/jiaoyu-app_*_amd64.deb

# `make clean` deletes build/: first undo any mount a killed run left in the roots under build/deb
# (/proc, /dev, /dev/pts, the X socket), so rm never reaches the host's files through them.
clean: deb-unmount
.PHONY: deb-unmount
deb-unmount:
	@bash -c 'source installer/deb/lib.sh; trap - EXIT; for r in build/deb/*-root build/deb/bookworm-test; do unmount_under "$$r"; done'
