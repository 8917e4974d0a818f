import { mount } from '../shared/mount.tsx';
import { KioskPage } from './Kiosk.tsx';

mount(<KioskPage />);
