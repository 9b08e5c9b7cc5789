// `webpack` without webpack-cli: builds webpack.config.js; exits non-zero on an error.
import webpack from 'webpack';
import config from './webpack.config.js';

webpack(config, (error, stats) => {
  if (error) throw error;
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  for (const problem of [...errors, ...warnings]) console.error(problem.message);
  process.exitCode = errors.length ? 1 : 0;
});
