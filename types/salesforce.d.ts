// Types for base components and the @salesforce/* modules that Salesforce publishes.
import '@salesforce/lightning-types';
