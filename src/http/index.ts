export { createApp, type AppDependencies, type HubApp } from './app.js';
