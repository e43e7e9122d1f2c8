/** Importing this module fills LIBRARY with every implemented function. */
import './core';
import './regex';
import './math';
export { LIBRARY } from './registry';
import './string';
import './array';
import './map';
import './misc';
import './model';
import './la';
import './metric';
import './stat';
import './prob';
import './interp';
import './model-families';
