# gohands: one static binary that speaks the OpenHands action-execution protocol.
#   make run    start the server on $(PORT) with working dir $(WORKDIR)
#   make test   install what the tests need (Debian packages, Go tools) and run every test
#   make install  put the server into $(PREFIX)/bin, also as swerex-remote (SWE-ReX's server)

PORT     ?= 8000
WORKDIR  ?= $(CURDIR)/.workspace
PLUGINS  ?=
BIN      := bin/action-execution-server
GO       ?= go
GOFLAGS  ?=
LDFLAGS  := -s -w

export CGO_ENABLED ?= 0

.PHONY: all build install run test deps lint vet fmt-check staticcheck workflows unit fuzz bench clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/action-execution-server
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/runtime-build ./cmd/runtime-build

# The binary answers as swerex-remote by the name it is called with.
PREFIX  ?= /usr/local
DESTDIR ?=
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/action-execution-server
	ln -sf action-execution-server $(DESTDIR)$(PREFIX)/bin/swerex-remote

# Passes the current user as --username/--user-id (USER_NAME=, USER_ID= change them; as root,
# bash runs as that user only if it is openhands, as in the reference). Ctrl-C stops it.
# The browser is off unless BROWSER=1 (Chromium then starts on the first browse action).
# The plugins use what scripts/deps.d installs (`make deps`), when it is there: Jupyter from
# $(JUPYTER_VENV), the VS Code server from $(OVS_ROOT) (it also needs VSCODE_PORT=…).
USER_NAME    ?= $(shell id -un)
USER_ID      ?= $(shell id -u)
JUPYTER_VENV ?= /opt/gohands/jupyter
OVS_ROOT     ?= /opt/gohands/openvscode-server
BROWSER      ?=
RUN_ENV := $(if $(wildcard $(JUPYTER_VENV)/bin/jupyter),GOHANDS_JUPYTER=$${GOHANDS_JUPYTER:-$(JUPYTER_VENV)/bin/jupyter}) \
	$(if $(wildcard $(OVS_ROOT)/bin/openvscode-server),OPENVSCODE_SERVER_ROOT=$${OPENVSCODE_SERVER_ROOT:-$(OVS_ROOT)})
run: build
	mkdir -p $(WORKDIR)
	$(strip env $(RUN_ENV)) ./$(BIN) $(PORT) --working-dir $(WORKDIR) --username $(USER_NAME) --user-id $(USER_ID) \
		$(if $(filter 1,$(BROWSER)),--enable-browser,--no-enable-browser) $(if $(PLUGINS),--plugins $(PLUGINS))

# Everything CI runs. Installs missing test dependencies first (idempotent). The fuzz targets
# run briefly here ($(FUZZTIME_CI) each: enough to catch a parser that fails on its first
# mutations); `make fuzz` runs them for $(FUZZTIME) each.
test: deps lint build unit
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME_CI) FUZZ_JOBS=2

deps:
	bash scripts/install-deps.sh

lint: fmt-check vet staticcheck workflows

workflows:
	bash scripts/lint-workflows.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	"$$($(GO) env GOPATH)/bin/staticcheck" ./...

# The race detector needs cgo.
# The tests get a temp dir of their own, removed afterwards: a run leaves nothing in /tmp, and
# what a test forgot to remove is named.
unit:
	@bash scripts/in-temp-dir.sh env CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 15m ./...

# Coverage-guided runs of every fuzz target, $(FUZZ_JOBS) at a time (the seed corpora already
# run in `unit`).
FUZZTIME    ?= 1m
FUZZTIME_CI ?= 2s
FUZZ_JOBS   ?= 1
fuzz:
	FUZZ_JOBS=$(FUZZ_JOBS) bash scripts/fuzz.sh $(FUZZTIME)

bench:
	CGO_ENABLED=1 $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin .workspace
