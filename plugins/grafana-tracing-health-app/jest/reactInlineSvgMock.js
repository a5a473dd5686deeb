/* eslint-disable react/prop-types -- a test stand-in for react-inlinesvg, whose props are typed there */
// Stands in for react-inlinesvg, which @grafana/ui's Icon and Spinner use. The real one fetches
// each SVG asynchronously and sets state after the test has finished (act() warnings, no
// network in jsdom). This renders an empty <svg> with the same props instead.
const React = require('react');

const LOADER_PROPS = [
  'src',
  'innerRef',
  'cacheRequests',
  'preProcessor',
  'onLoad',
  'onError',
  'loader',
  'uniqueHash',
  'uniquifyIDs',
  'fetchOptions',
  'baseURL',
  'description',
];

function InlineSVG(props) {
  const svgProps = { ...props };
  for (const key of LOADER_PROPS) {
    delete svgProps[key];
  }
  const { title, ...rest } = svgProps;
  return React.createElement(
    'svg',
    { ...rest, ref: props.innerRef, 'data-src': props.src },
    title ? React.createElement('title', null, title) : null,
  );
}

module.exports = InlineSVG;
module.exports.default = InlineSVG;
