#!/usr/bin/env node
'use strict';
// Thin launcher so `npx modelserving` works from a checkout once the CLI is built.
require('../dist/main.js');
