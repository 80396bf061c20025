/** The account-management API (user-routes.ts), for the console's OpenAPI document. */
const csrf = [{ session: [], csrf: [] }];
const username = { name: 'username', in: 'path', required: true, schema: { type: 'string' } };
const user = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { enum: ['agent', 'editor', 'admin'] },
    disabled: { type: 'boolean' },
    createdAt: { type: 'number', description: 'epoch ms' },
    createdBy: { type: ['string', 'null'], description: 'an admin, or users-file for an account the file seeded' },
    updatedAt: { type: 'number', description: 'epoch ms' },
    updatedBy: { type: ['string', 'null'] },
  },
};
const changed = {
  description: 'changed; a new role or disabling ends the account’s sessions',
  content: { 'application/json': { schema: { type: 'object', properties: { user, message: { type: 'string' } } } } },
};
const adminsOnly = { description: 'admins only (CONSOLE.FORBIDDEN), or missing CSRF token' };

export const userPaths = {
  '/api/admin/users': {
    get: {
      summary: 'Console accounts with their roles, disabled ones too (admins)',
      security: [{ session: [] }],
      responses: {
        '200': {
          description: 'the accounts (never a password hash)',
          content: {
            'application/json': {
              schema: { type: 'object', properties: { users: { type: 'array', items: user }, roles: {} } },
            },
          },
        },
        '403': adminsOnly,
      },
    },
    post: {
      summary: 'Add an account (admins)',
      security: csrf,
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['username', 'displayName', 'role', 'password'],
              properties: {
                username: { type: 'string', pattern: '^[a-z0-9_.-]{2,32}$' },
                displayName: { type: 'string', maxLength: 64 },
                role: { enum: ['agent', 'editor', 'admin'] },
                password: { type: 'string', minLength: 8, maxLength: 200 },
              },
            },
          },
        },
      },
      responses: {
        '201': { ...changed, description: 'added' },
        '400': { description: 'CONSOLE.BAD_USERNAME, CONSOLE.BAD_ROLE, CONSOLE.BAD_PASSWORD or CONSOLE.BAD_INPUT' },
        '403': adminsOnly,
        '409': { description: 'the username is taken (CONSOLE.USER_EXISTS)' },
      },
    },
  },
  '/api/admin/users/{username}': {
    post: {
      summary: 'Change an account’s display name, role, or whether it may log in (admins)',
      parameters: [username],
      security: csrf,
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                displayName: { type: 'string', maxLength: 64 },
                role: { enum: ['agent', 'editor', 'admin'] },
                disabled: { type: 'boolean' },
              },
            },
          },
        },
      },
      responses: {
        '200': changed,
        '400': { description: 'CONSOLE.BAD_ROLE or CONSOLE.BAD_INPUT' },
        '403': adminsOnly,
        '404': { description: 'no such account (CONSOLE.NO_SUCH_USER)' },
        '409': { description: 'it would leave no active admin (CONSOLE.LAST_ADMIN)' },
      },
    },
  },
  '/api/admin/users/{username}/password': {
    post: {
      summary: 'Set a new password for an account; its sessions end (admins)',
      parameters: [username],
      security: csrf,
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['password'],
              properties: { password: { type: 'string', minLength: 8, maxLength: 200 } },
            },
          },
        },
      },
      responses: {
        '200': changed,
        '400': { description: 'CONSOLE.BAD_PASSWORD' },
        '403': adminsOnly,
        '404': { description: 'no such account (CONSOLE.NO_SUCH_USER)' },
      },
    },
  },
} as const;
