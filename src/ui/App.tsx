import { DeviceRecoveryBanner } from './components/DeviceRecoveryBanner';
import { Header } from './components/Header';
import { ModelPanel } from './components/ModelPanel';
import { StatusBar } from './components/StatusBar';
import { Workspace } from './components/Workspace';

export function App() {
  return (
    <div className="app">
      <Header />
      <DeviceRecoveryBanner />
      <main className="app-main">
        <ModelPanel />
        <Workspace />
      </main>
      <StatusBar />
    </div>
  );
}
