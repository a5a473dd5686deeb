export { EntitySamplingCard } from './EntitySamplingCard';
export { SamplingCard } from './SamplingCard';
export { SamplingEmergencySection } from './SamplingEmergencySection';
