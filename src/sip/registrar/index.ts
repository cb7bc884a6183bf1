export { LocationService, type Binding, type ContactUpdate, type RegisterWrite, type WriteResult } from './location.js';
export { Registrar, type RegistrarOptions } from './registrar.js';
