import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** GraphiQL's files, served from node_modules: no CDN is needed where the hub runs. */
const ASSETS: Record<string, string> = {
  'react.production.min.js': join(packageDir('react'), 'umd/react.production.min.js'),
  'react-dom.production.min.js': join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
  'graphiql.min.js': join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.min.css': join(packageDir('graphiql'), 'graphiql.min.css'),
};

export const GRAPHIQL_ASSET_PATH = '/graphiql/assets';

const DEFAULT_QUERY = `# 共享枢纽 Gongxiang Hub: try the examples in the README.
{
  policies(first: 5, filter: { validity: [VALID] }) {
    totalCount
    edges { node { title docNumber department { name { zh } } } }
  }
}
`;

// A separate script file rather than inline code, so a strict Content-Security-Policy can forbid inline scripts.
const INIT_SCRIPT = `
const root = ReactDOM.createRoot(document.getElementById('graphiql'));
root.render(React.createElement(GraphiQL, {
  fetcher: GraphiQL.createFetcher({ url: ${JSON.stringify('/graphql')} }),
  defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
  defaultEditorToolsVisibility: true,
}));
`;

/** The IDE page: every script and style from the hub itself, none inline. */
export const GRAPHIQL_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>共享枢纽 GraphiQL · Gongxiang Hub</title>
<link rel="stylesheet" href="${GRAPHIQL_ASSET_PATH}/graphiql.min.css">
</head>
<body style="margin:0">
<div id="graphiql" style="height:100vh"></div>
<script src="${GRAPHIQL_ASSET_PATH}/react.production.min.js"></script>
<script src="${GRAPHIQL_ASSET_PATH}/react-dom.production.min.js"></script>
<script src="${GRAPHIQL_ASSET_PATH}/graphiql.min.js"></script>
<script src="${GRAPHIQL_ASSET_PATH}/init.js"></script>
</body>
</html>
`;

/** Routes for the IDE's static files; the page itself is served by graphiqlPage on GET /graphql. */
export function graphiqlAssets(): Router {
  const router = Router();
  router.get(`${GRAPHIQL_ASSET_PATH}/init.js`, (_req, res) => {
    res.type('application/javascript').send(INIT_SCRIPT);
  });
  router.get(`${GRAPHIQL_ASSET_PATH}/:file`, (req, res, next) => {
    const path = ASSETS[req.params.file];
    if (!path) return next();
    res.sendFile(path, { maxAge: '1d' });
  });
  router.get('/graphiql', (_req, res) => res.redirect('/graphql'));
  return router;
}

