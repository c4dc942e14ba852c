# Motcua: `make run` serves the demo, `make test` runs the whole suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := app/static/vendor
export FLASK_APP := wsgi

.PHONY: run test install install-dev assets translations migrate demo bench lint system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/bpmn-js $(VENDOR)/form-js
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-js/
	cp -r node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	cp node_modules/@bpmn-io/form-js/dist/form-viewer.umd.js node_modules/@bpmn-io/form-js/dist/form-editor.umd.js $(VENDOR)/form-js/
	cp -r node_modules/@bpmn-io/form-js/dist/assets/. $(VENDOR)/form-js/
	mkdir -p $(VENDOR)/echarts
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	node frontend/designer/build-lint-config.cjs node_modules/.cache/motcua/bpmnlint-config.js
	node_modules/.bin/esbuild frontend/designer/editor.js frontend/designer/diff.js frontend/designer/editor.css frontend/designer/diff.css --bundle --minify --log-level=warning --outdir=$(VENDOR)/designer --alias:motcua-bpmnlint-config=./node_modules/.cache/motcua/bpmnlint-config.js --define:process.env.NODE_ENV='"production"' --loader:.woff=dataurl --loader:.woff2=dataurl --loader:.ttf=dataurl --loader:.eot=dataurl --loader:.svg=dataurl
	node_modules/.bin/esbuild frontend/designer/decisions.js frontend/designer/decisions.css frontend/designer/import.js --bundle --minify --log-level=warning --outdir=$(VENDOR)/designer --define:process.env.NODE_ENV='"production"' --loader:.woff=dataurl --loader:.woff2=dataurl --loader:.ttf=dataurl --loader:.eot=dataurl --loader:.svg=dataurl

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d app/translations

install: $(VENV)/.installed assets translations

install-dev: install $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo load

# The citizen portal's external services, pointed at the local sandboxes of the Procfile (demo secrets only).
SANDBOX_ENV := MOTCUA_OIDC_ISSUER=$${MOTCUA_OIDC_ISSUER:-http://127.0.0.1:$${MOTCUA_IDP_PORT:-5101}} \
	MOTCUA_OIDC_CLIENT_ID=$${MOTCUA_OIDC_CLIENT_ID:-motcua} MOTCUA_OIDC_CLIENT_SECRET=$${MOTCUA_OIDC_CLIENT_SECRET:-motcua-sandbox-secret} \
	MOTCUA_REGISTRY_URL=$${MOTCUA_REGISTRY_URL:-http://127.0.0.1:$${MOTCUA_REGISTRY_PORT:-5102}} \
	MOTCUA_REGISTRY_KEY=$${MOTCUA_REGISTRY_KEY:-motcua-registry-key} \
	MOTCUA_PAYMENT_URL=$${MOTCUA_PAYMENT_URL:-http://127.0.0.1:$${MOTCUA_PAYMENT_PORT:-5103}} \
	MOTCUA_PAYMENT_MERCHANT=$${MOTCUA_PAYMENT_MERCHANT:-MOTCUA} MOTCUA_PAYMENT_SECRET=$${MOTCUA_PAYMENT_SECRET:-motcua-pay-secret} \
	MOTCUA_POST_URL=$${MOTCUA_POST_URL:-http://127.0.0.1:$${MOTCUA_POST_PORT:-5104}} \
	MOTCUA_POST_CLIENT_ID=$${MOTCUA_POST_CLIENT_ID:-MOTCUA} MOTCUA_POST_SECRET=$${MOTCUA_POST_SECRET:-motcua-post-secret} \
	MOTCUA_PORTAL_URL=$${MOTCUA_PORTAL_URL:-http://127.0.0.1:$${MOTCUA_PORTAL_PORT:-5105}} \
	MOTCUA_PORTAL_CLIENT_ID=$${MOTCUA_PORTAL_CLIENT_ID:-MOTCUA} MOTCUA_PORTAL_SECRET=$${MOTCUA_PORTAL_SECRET:-motcua-portal-secret} \
	MOTCUA_TSA_URL=$${MOTCUA_TSA_URL:-http://127.0.0.1:$${MOTCUA_TSA_PORT:-5106}/tsa}

# The web server, the scheduler and the local sandboxes of the Procfile, under honcho (one log, one Ctrl-C).
run: demo
	@$(BIN)/flask demo logins
	@echo "Motcua: http://127.0.0.1:5000 (messages delivered to the local sink: http://127.0.0.1:5120/messages)"
	@echo "Citizen portal: http://127.0.0.1:5000/cong-dan/dang-nhap (sandboxes: identity :5101, registry :5102, payment :5103, post :5104, national portal :5105, time stamps :5106)"
	PATH=$(abspath $(BIN)):$$PATH \
		MOTCUA_RATELIMIT_STORAGE_URI=$${MOTCUA_RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0} \
		$(SANDBOX_ENV) $(BIN)/honcho start -f Procfile

# Debian packages the tests need: chromium for the browser tests, Pango and fonts for WeasyPrint (slips, reports),
# libmagic for the upload checks, tesseract with Vietnamese data for OCR.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation pgbouncer libmagic1 \
	tesseract-ocr tesseract-ocr-vie \
	redis-server

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing $$missing"; apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; fi

test: install-dev system-deps
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: install-dev
	$(BIN)/ruff check app engine tests bench tools
	$(BIN)/lint-imports --no-cache

BENCH_DOSSIERS ?= 1000000

# Needs the local PostgreSQL (127.0.0.1:5432, user postgres); results land in bench/results/.
bench: install-dev
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/pages_bench.py
	$(BIN)/python bench/stats_bench.py --dossiers 100000
	$(BIN)/python bench/lifecycle_bench.py --seconds 20 --clients 1,8,32 --workers 2 --configs sync:1,sync:2,sync:4,sync:6,gthread:2x4,gthread:4x2
	$(BIN)/python bench/scale_bench.py --dossiers $(BENCH_DOSSIERS)
	$(BIN)/python bench/scheduler_bench.py --timers 100000 --seconds 60

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
