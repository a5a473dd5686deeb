import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { SamplingValidationFailedError } from '../../../api';
import { FormShell, FormTextField, ReasonField, useSubmitForm } from '.';

/** A form on the shared layer: one field, a reason, and a request the test decides. */
function TestForm(props: {
  send(values: { rate: string; reason: string }): Promise<unknown>;
  validate?(rate: string): { path: string; message: string }[] | undefined;
  onDone?(): void;
}) {
  const [rate, setRate] = useState('0.5');
  const [reason, setReason] = useState('');
  const form = useSubmitForm();
  const submit = form.onSubmit(() => ({
    reason,
    validate: () => props.validate?.(rate),
    send: () => props.send({ rate, reason: reason.trim() }),
    onDone: () => {
      setReason('');
      props.onDone?.();
    },
  }));
  return (
    <FormShell
      title="Test form"
      form={form}
      onSubmit={submit}
      fieldPaths={['rate', 'reason']}
      submitLabel="Save"
      disabled={reason.trim() === ''}
    >
      <FormTextField
        xs={12}
        label="Rate"
        value={rate}
        onChange={setRate}
        error={form.errorOf('rate')}
        hint="0 to 1"
      />
      <ReasonField
        xs={12}
        form={form}
        value={reason}
        onChange={setReason}
        error={form.errorOf('reason')}
        hint="Recorded in the audit log"
      />
    </FormShell>
  );
}

describe('the shared form layer', () => {
  it('asks for a reason once the field is left blank, and keeps submit off until there is one', async () => {
    const send = jest.fn(async () => ({}));
    render(<TestForm send={send} />);
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    expect(screen.getByText('Recorded in the audit log')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Reason'));
    await userEvent.tab();
    expect(screen.getByText('A reason is required')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Reason'), 'load test');
    expect(save).toBeEnabled();
    expect(send).not.toHaveBeenCalled();
  });

  it('sends the values, then clears the reason without flagging it', async () => {
    const send = jest.fn(async () => ({}));
    const onDone = jest.fn();
    render(<TestForm send={send} onDone={onDone} />);
    await userEvent.type(screen.getByLabelText('Reason'), '  load test ');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(send).toHaveBeenCalledWith({ rate: '0.5', reason: 'load test' });
    expect(screen.getByLabelText('Reason')).toHaveValue('');
    expect(screen.queryByText('A reason is required')).not.toBeInTheDocument();
  });

  it('stops at the browser check and shows its error at the field, sending nothing', async () => {
    const send = jest.fn(async () => ({}));
    render(
      <TestForm
        send={send}
        validate={rate =>
          Number(rate) > 1
            ? [{ path: 'rate', message: 'at most 1' }]
            : undefined
        }
      />,
    );
    await userEvent.clear(screen.getByLabelText('Rate'));
    await userEvent.type(screen.getByLabelText('Rate'), '2');
    await userEvent.type(screen.getByLabelText('Reason'), 'why');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('at most 1')).toBeInTheDocument();
    expect(screen.queryByText('0 to 1')).not.toBeInTheDocument();
    expect(send).not.toHaveBeenCalled();
  });

  it("shows the backend's validation errors at their fields and lists the others above the form", async () => {
    const send = jest.fn(async () => {
      throw new SamplingValidationFailedError([
        { path: 'reason', message: 'too short' },
        { path: 'scope', message: 'unknown service' },
      ]);
    });
    render(<TestForm send={send} />);
    await userEvent.type(screen.getByLabelText('Reason'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('too short')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('sampling-form-errors')).getByText(
        'scope: unknown service',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Reason')).toHaveValue('x');
  });

  it('shows any other failure and keeps submit off while the request runs', async () => {
    let fail: (e: Error) => void = () => {};
    const send = jest.fn(
      () =>
        new Promise((_, reject) => {
          fail = reject;
        }),
    );
    render(<TestForm send={send} />);
    await userEvent.type(screen.getByLabelText('Reason'), 'why');
    const save = screen.getByRole('button', { name: 'Save' });
    await userEvent.click(save);
    expect(save).toBeDisabled();
    fail(new Error('Forbidden'));
    expect(await screen.findByText('Forbidden')).toBeInTheDocument();
    expect(save).toBeEnabled();
  });
});
