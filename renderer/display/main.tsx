import { mount } from '../shared/mount.tsx';
import { DisplayPage } from './Display.tsx';

mount(<DisplayPage />);
