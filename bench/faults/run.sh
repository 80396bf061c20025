#!/usr/bin/env bash
# The long fault run: the CI burst-under-faults suite with 1,000+ messages per channel; writes bench/faults/REPORT.md.
#   bash bench/faults/run.sh [messages-per-channel]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
size="${1:-1000}"
FAULT_BURST_SIZE="$size" npx vitest run --project fault test/fault/burst-under-faults.test.ts
node --input-type=module -e "
import { readFileSync, writeFileSync } from 'node:fs';
const r = JSON.parse(readFileSync('test/output/fault-burst.json', 'utf8'));
const report = \`# bench/faults — burst under faults

Run: \${new Date().toISOString()} · \${r.messages} messages (\${r.messages / 2} per channel, WeCom and DingTalk Stream), \${r.wecomDeliveries} WeCom callback deliveries, \${r.seconds} s.

Faults injected while the burst flowed: \${r.faults.join('; ')}.

| outcome | messages |
|---|---:|
| answered with the right FAQ answer | \${r.answered} |
| escalated (out of scope, 转人工) | \${r.escalated} |
| wrong reply | \${r.wrong} |
| lost (no reply) | \${r.lost} |
| replied more than once | \${r.duplicated} |

Reproduce: \\\`bash bench/faults/run.sh \${r.messages / 2}\\\` (CI runs the same suite with 16 per channel).
\`;
writeFileSync('bench/faults/REPORT.md', report);
console.log(report);
"
