export { createApp, JSON_BODY_LIMIT, type AppDependencies, type HubApp } from './app.js';
