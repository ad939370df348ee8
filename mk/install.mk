# install.mk - make install / make uninstall, included by the Makefile.
#
#   make install                       into /usr/local
#   make install PREFIX=/usr DESTDIR=debian/memtop
#   make uninstall PREFIX=/usr DESTDIR=debian/memtop
#
# Installs the plain (optimised, unsanitised) build whatever BUILD says.
# GZIP_MAN=1 installs the man page compressed (gzip -9n, reproducible);
# Debian packaging leaves that to dh_compress.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DATAROOTDIR ?= $(PREFIX)/share
MANDIR      ?= $(DATAROOTDIR)/man
DOCDIR      ?= $(DATAROOTDIR)/doc/memtop
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
INSTALL     ?= install
GZIP_MAN    ?= 0

INSTALL_BIN := build/plain/memtop

.PHONY: install uninstall install-build

install-build:
	$(Q)$(MAKE) --no-print-directory BUILD=plain $(INSTALL_BIN)

install: install-build
	$(call quiet,INSTALL,$(DESTDIR)$(PREFIX))$(INSTALL) -d \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR)
	$(Q)$(INSTALL) -m 0755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/memtop
	$(Q)$(INSTALL) -m 0644 memtop.1 $(DESTDIR)$(MANDIR)/man1/memtop.1
ifeq ($(GZIP_MAN),1)
	$(Q)rm -f $(DESTDIR)$(MANDIR)/man1/memtop.1.gz
	$(Q)gzip -9n $(DESTDIR)$(MANDIR)/man1/memtop.1
endif
	$(Q)$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(Q)$(INSTALL) -m 0644 completion/memtop.bash \
		$(DESTDIR)$(BASHCOMPDIR)/memtop

uninstall:
	$(call quiet,RM,$(DESTDIR)$(PREFIX))rm -f \
		$(DESTDIR)$(BINDIR)/memtop \
		$(DESTDIR)$(MANDIR)/man1/memtop.1 \
		$(DESTDIR)$(MANDIR)/man1/memtop.1.gz \
		$(DESTDIR)$(DOCDIR)/README.md \
		$(DESTDIR)$(BASHCOMPDIR)/memtop
	$(Q)rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
