import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The import boundaries of STYLE.md, as eslint.config.js enforces them: each case lints
// one import line as if it were written in the given file.
const eslint = new ESLint({ cwd: process.cwd() });

const restrictedImports = async (filePath: string, from: string): Promise<string[]> => {
  const [result] = await eslint.lintText(`import * as probe from '${from}';\nexport { probe };\n`, {
    filePath,
  });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
};

describe('import boundaries', () => {
  it.each([
    ['src/shared/topics.ts', '../server/config', /must not import src\/server/],
    ['src/server/config.ts', '../client/main', /must not import src\/client/],
    ['src/client/app/shell.tsx', '../../server/config', /client imports shared only/],
    ['src/client/app/shell.tsx', 'mqtt', /Only src\/client\/lib\/mqtt may import mqtt/],
    ['src/client/features/chat/lib/x.ts', '../../../app/shell', /Only src\/client\/app composes/],
    [
      'src/client/features/chat/lib/x.ts',
      '../../agent-board/stores/agents-store',
      /A feature uses another only through auth and connection/,
    ],
    [
      'src/client/features/admin/components/users/x.tsx',
      '../../../chat/stores/chat-store',
      /A feature uses another only through/,
    ],
    ['src/client/features/chat/lib/x.ts', 'mqtt', /Only src\/client\/lib\/mqtt may import mqtt/],
    ['src/client/features/chat/index.ts', '../agent-board/stores/agents-store', /through auth/],
    ['src/client/features/chat/a/b/c/x.ts', '../../../../agent-board/lib/x', /through auth/],
    ['src/client/features/chat/lib/x.ts', '../../agent-board', /through auth/],
    ['src/client/lib/x.ts', '../features/chat/stores/chat-store', /serve features/],
    ['src/client/components/x.tsx', '../app/shell', /Only src\/client\/app composes/],
    ['src/client/lib/mqtt/x.ts', '../../features/chat/stores/chat-store', /serve features/],
  ])('%s may not import %s', async (filePath, from, reason) => {
    const messages = await restrictedImports(filePath, from);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(reason);
  });

  it.each([
    ['src/client/features/chat/lib/x.ts', '../../auth/hooks/use-current-user'],
    ['src/client/features/chat/lib/x.ts', '../../connection/stores/connection-store'],
    ['src/client/features/chat/lib/x.ts', '../stores/chat-store'],
    ['src/client/features/chat/lib/x.ts', '../../../lib/display-text'],
    ['src/client/features/chat/lib/x.ts', '../../../../shared/mentions'],
    ['src/client/features/chat/lib/x.ts', '../../auth'],
    ['src/client/app/shell.tsx', '../features/agent-board/stores/agents-store'],
    ['src/client/lib/mqtt/x.ts', 'mqtt'],
  ])('%s may import %s', async (filePath, from) => {
    expect(await restrictedImports(filePath, from)).toEqual([]);
  });
});
