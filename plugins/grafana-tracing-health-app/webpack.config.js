// Build of the Tracing Health Grafana app plugin: src/module.tsx -> dist/module.js (AMD),
// plus dist/plugin.json, README.md, img/ and dashboards/.
//
// A small stand-in for the config that `@grafana/create-plugin` scaffolds under .config/:
// same output format, publicPath and externals, with the copy/replace steps done by the
// in-file PluginAssetsPlugin below instead of copy-webpack-plugin + replace-in-file.
//
//   npm run build   -> webpack --env production
//   npm run dev     -> webpack --env development (unminified, eval source maps)
const fs = require('fs');
const path = require('path');

const ROOT = __dirname;
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');

// Grafana's plugin.json schema rule for plugin ids.
const PLUGIN_ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/;

const pkg = require('./package.json');
const pluginJson = JSON.parse(
  fs.readFileSync(path.join(SRC, 'plugin.json'), 'utf8'),
);

// Modules Grafana provides to plugins at run time (its shared dependencies); they must not be
// bundled. Mirrors create-plugin's externals. react-router-dom v6 is bundled on purpose
// (Grafana shares v6 as "react-router"); react/jsx-runtime is shared since Grafana 12.3 and must
// come from Grafana so the bundle keeps working when Grafana's React changes (Grafana 13).
const externals = [
  'lodash',
  'jquery',
  'moment',
  'slate',
  'emotion',
  '@emotion/react',
  '@emotion/css',
  'prismjs',
  'slate-plain-serializer',
  '@grafana/slate-react',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-dom/client',
  'react-redux',
  'redux',
  'rxjs',
  'rxjs/operators',
  'i18next',
  'react-router',
  'd3',
  'angular',
  /^@grafana\/ui/i,
  /^@grafana\/runtime/i,
  /^@grafana\/data/i,
  // Legacy SDK imports: "grafana/app/..." -> "app/..."
  ({ request }, callback) => {
    if (request && request.startsWith('grafana/')) {
      return callback(undefined, request.slice('grafana/'.length));
    }
    return callback();
  },
];

function listFiles(dir, filter) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile() && filter(entry.name))
    .map(entry => path.join(entry.parentPath ?? entry.path, entry.name));
}

function replaceTokens(text) {
  return text
    .replace(/%VERSION%/g, pkg.version)
    .replace(/%TODAY%/g, new Date().toISOString().substring(0, 10))
    .replace(/%PLUGIN_ID%/g, pluginJson.id);
}

/** Checks the plugin.json contract; returns a list of problems. */
function validatePluginJson(json) {
  const problems = [];
  if (!PLUGIN_ID_PATTERN.test(json.id || '')) {
    problems.push(`id "${json.id}" does not match ${PLUGIN_ID_PATTERN}`);
  }
  if (json.type !== 'app') {
    problems.push(`type must be "app" (got "${json.type}")`);
  }
  for (const include of json.includes || []) {
    if (include.type === 'dashboard') {
      const file = path.join(SRC, include.path || '');
      if (!include.path || !fs.existsSync(file)) {
        problems.push(
          `dashboard include "${include.name}" points at missing file src/${include.path}`,
        );
      }
    }
  }
  return problems;
}

/** Emits plugin.json, README.md, img/** and dashboards/*.json into dist. */
class PluginAssetsPlugin {
  apply(compiler) {
    const { RawSource } = compiler.webpack.sources;
    compiler.hooks.thisCompilation.tap('PluginAssetsPlugin', compilation => {
      compilation.hooks.processAssets.tap(
        {
          name: 'PluginAssetsPlugin',
          stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL,
        },
        () => {
          const fail = message =>
            compilation.errors.push(new compiler.webpack.WebpackError(message));
          const emit = (from, to, transform) => {
            compilation.fileDependencies.add(from);
            const content = fs.readFileSync(from);
            compilation.emitAsset(
              to,
              new RawSource(
                transform ? transform(content.toString('utf8')) : content,
              ),
            );
          };

          // plugin.json: re-read so watch mode picks up edits.
          const pluginJsonPath = path.join(SRC, 'plugin.json');
          const current = JSON.parse(fs.readFileSync(pluginJsonPath, 'utf8'));
          validatePluginJson(current).forEach(problem =>
            fail(`src/plugin.json: ${problem}`),
          );
          emit(pluginJsonPath, 'plugin.json', replaceTokens);

          emit(path.join(ROOT, 'README.md'), 'README.md', replaceTokens);

          for (const file of listFiles(path.join(SRC, 'img'), () => true)) {
            emit(file, path.relative(SRC, file));
          }

          for (const file of listFiles(path.join(SRC, 'dashboards'), name =>
            name.endsWith('.json'),
          )) {
            const relative = path.relative(SRC, file);
            try {
              JSON.parse(fs.readFileSync(file, 'utf8'));
            } catch (error) {
              fail(`src/${relative}: invalid JSON (${error.message})`);
            }
            emit(file, relative);
          }
        },
      );
    });
  }
}

module.exports = (env = {}) => {
  const production = Boolean(env.production);
  return {
    mode: production ? 'production' : 'development',
    context: ROOT,
    devtool: production ? 'source-map' : 'eval-source-map',
    entry: { module: './src/module.tsx' },
    externals,
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                transform: {
                  react: { runtime: 'automatic', development: !production },
                },
              },
            },
          },
        },
      ],
    },
    output: {
      clean: true,
      filename: '[name].js',
      chunkFilename: production ? '[name].[contenthash:8].js' : '[name].js',
      library: { type: 'amd' },
      path: DIST,
      // Relative, so Grafana served under a sub path (root_url) still works.
      publicPath: `public/plugins/${pluginJson.id}/`,
      uniqueName: pluginJson.id,
    },
    performance: { hints: false },
    plugins: [new PluginAssetsPlugin()],
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx', '.json'],
    },
  };
};
