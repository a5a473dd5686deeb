// Stands in for the .css files some @grafana/ui dependencies import (jest cannot parse CSS).
module.exports = {};
