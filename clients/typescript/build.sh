#!/usr/bin/env bash
# Builds the TypeScript client: its types are generated from the OpenAPI document the gateway
# serves (so they cannot drift), then the client and its tests are compiled into dist/.
# Run after the main build (make build does: npx tsc -p tsconfig.json, then this).
set -euo pipefail
cd "$(dirname "$0")/../.."
node dist/services/gateway/openapi/write-openapi.js clients/typescript/generated/openapi.json
npx openapi-typescript clients/typescript/generated/openapi.json -o clients/typescript/generated/openapi.d.ts --silent
npx tsc -p clients/typescript/tsconfig.json
