import { mount } from '../shared/mount.tsx';
import { CounterPage } from './Counter.tsx';

mount(<CounterPage />);
