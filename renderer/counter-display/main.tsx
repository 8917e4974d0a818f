import { mount } from '../shared/mount.tsx';
import { CounterDisplayPage } from './CounterDisplay.tsx';

mount(<CounterDisplayPage />);
