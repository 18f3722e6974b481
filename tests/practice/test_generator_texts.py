"""Each generator's whole problem for a few seeds that cover its branches (a floor case with a
dilation, an exact one; both gradient targets; a whole and a relative answer; each verdict),
read and checked by hand once: the question, the worked solution with this problem's numbers,
the tolerance and the named slips. Written against mutants of the generators' texts that
survived the earlier tests (docs/mutation.md)."""

from __future__ import annotations

import pytest

from core.practice import check, draw

GOLDEN = {('conv-output-size', 0): {'abs_tol': 0.0,
                           'choices': (),
                           'expected': 36,
                           'question': 'A $35 \\times 35$ input goes through a 2D convolution with a $2 \\times 2$ '
                                       'kernel, padding 1 (zeros on each side), stride 1 and dilation 1. The '
                                       'output is $O \\times O$: what is $O$?',
                           'rel_tol': 0.0,
                           'size': True,
                           'slips': ((34.0, 'That is $H - K + 1$, which leaves out padding, stride and dilation.'),
                                     (36.0,
                                      'Without the floor: a window must fit entirely, so round the division '
                                      'down.')),
                           'solution': '$$\\begin{aligned} O &= \\left\\lfloor \\dfrac{H + 2P - D(K - 1) - 1}{S} '
                                       '\\right\\rfloor + 1 \\\\ &= \\left\\lfloor \\dfrac{35 + 2 \\cdot 1 - 1 '
                                       '\\cdot (2 - 1) - 1}{1} \\right\\rfloor + 1 \\\\ &= \\left\\lfloor '
                                       '\\dfrac{35}{1} \\right\\rfloor + 1 = 35 + 1 = 36 \\end{aligned}$$',
                           'tolerance': 'exact (a whole number; 24 and 24x24 are both read as 24)',
                           'values': {'D': 1, 'H': 35, 'K': 2, 'P': 1, 'S': 1}},
 ('conv-output-size', 3): {'abs_tol': 0.0,
                           'choices': (),
                           'expected': 3,
                           'question': 'A $15 \\times 15$ input goes through a 2D convolution with a $2 \\times 2$ '
                                       'kernel, padding 0 (zeros on each side), stride 4 and dilation 3. The '
                                       'output is $O \\times O$: what is $O$?',
                           'rel_tol': 0.0,
                           'size': True,
                           'slips': ((14.0, 'That is $H - K + 1$, which leaves out padding, stride and dilation.'),
                                     (3.75,
                                      'Without the floor: a window must fit entirely, so round the division down.'),
                                     (4.0, 'That ignores the dilation: a dilated kernel spans $D(K-1)+1$.')),
                           'solution': '$$\\begin{aligned} O &= \\left\\lfloor \\dfrac{H + 2P - D(K - 1) - 1}{S} '
                                       '\\right\\rfloor + 1 \\\\ &= \\left\\lfloor \\dfrac{15 + 2 \\cdot 0 - 3 '
                                       '\\cdot (2 - 1) - 1}{4} \\right\\rfloor + 1 \\\\ &= \\left\\lfloor '
                                       '\\dfrac{11}{4} \\right\\rfloor + 1 = 2 + 1 = 3 \\end{aligned}$$\n'
                                       '\n'
                                       '$11/4$ is not whole, so the floor drops the last 3 position(s) of the '
                                       'padded input: no window reaches them.',
                           'tolerance': 'exact (a whole number; 24 and 24x24 are both read as 24)',
                           'values': {'D': 3, 'H': 15, 'K': 2, 'P': 0, 'S': 4}},
 ('conv1d-gradient', 0): {'abs_tol': 1e-09,
                          'choices': (),
                          'expected': -5.0,
                          'question': 'Input $X = (X_1, \\dots, X_5) = (2, 1, 0, -2, -1)$, kernel $W = (W_1, W_2, '
                                      'W_3) = (-2, -2, -2)$ and $O_i = \\sum_{j=1}^{3} W_j X_{i+j-1}$ for $i = 1, '
                                      '2, 3$ (cross-correlation, stride 1, no padding). The gradient from above is '
                                      '$\\delta = (\\delta_1, \\delta_2, \\delta_3) = (-2, 2, 1)$ with $\\delta_i '
                                      '= \\partial L / \\partial O_i$. What is $\\partial L / \\partial W_3$?',
                          'rel_tol': 0.0,
                          'size': False,
                          'slips': (),
                          'solution': '$W_3$ is used by every output, $O_i$ multiplying it by $X_{i+3-1}$:\n'
                                      '\n'
                                      '$$\\frac{\\partial L}{\\partial W_3} = \\delta_1 X_3 + \\delta_2 X_4 + '
                                      '\\delta_3 X_5 = (-2) \\cdot 0 + 2 \\cdot (-2) + 1 \\cdot (-1) = -5$$',
                          'tolerance': 'exact (a whole number)',
                          'values': {'W': (-2.0, -2.0, -2.0),
                                     'X': (2.0, 1.0, 0.0, -2.0, -1.0),
                                     'delta': (-2.0, 2.0, 1.0),
                                     'target': 'W_3'}},
 ('conv1d-gradient', 2): {'abs_tol': 1e-09,
                          'choices': (),
                          'expected': -2.0,
                          'question': 'Input $X = (X_1, \\dots, X_5) = (2, -2, -3, -1, -1)$, kernel $W = (W_1, '
                                      'W_2, W_3) = (2, 0, -2)$ and $O_i = \\sum_{j=1}^{3} W_j X_{i+j-1}$ for $i = '
                                      '1, 2, 3$ (cross-correlation, stride 1, no padding). The gradient from above '
                                      'is $\\delta = (\\delta_1, \\delta_2, \\delta_3) = (-1, 1, 2)$ with '
                                      '$\\delta_i = \\partial L / \\partial O_i$. What is $\\partial L / \\partial '
                                      'X_4$?',
                          'rel_tol': 0.0,
                          'size': False,
                          'slips': ((2.0, 'The weights meet the deltas in reverse order (the flipped kernel).'),),
                          'solution': '$X_4$ reaches the outputs $O_i$ with $1 \\le 4 - i + 1 \\le 3$, through the '
                                      'weight $W_{4-i+1}$ (the kernel read backwards):\n'
                                      '\n'
                                      '$$\\frac{\\partial L}{\\partial X_4} = \\delta_2 W_3 + \\delta_3 W_2 = 1 '
                                      '\\cdot (-2) + 2 \\cdot 0 = -2$$',
                          'tolerance': 'exact (a whole number)',
                          'values': {'W': (2.0, 0.0, -2.0),
                                     'X': (2.0, -2.0, -3.0, -1.0, -1.0),
                                     'delta': (-1.0, 1.0, 2.0),
                                     'target': 'X_4'}},
 ('conv1d-output', 0): {'abs_tol': 1e-09,
                        'choices': (),
                        'expected': -6.0,
                        'question': 'Input $X = (X_1, \\dots, X_5) = (2, 1, 0, -2, -1)$, kernel $W = (W_1, W_2, '
                                    'W_3) = (-2, -2, -2)$ and $O_i = \\sum_{j=1}^{3} W_j X_{i+j-1}$ for $i = 1, 2, '
                                    '3$ (cross-correlation, stride 1, no padding). What is $O_1$?',
                        'rel_tol': 0.0,
                        'size': False,
                        'slips': ((-6.0,
                                   'That flips the kernel (the textbook convolution); the lecture and the '
                                   'libraries compute the cross-correlation, $W_1$ meeting $X_i$.'),),
                        'solution': '$$O_1 = W_1 X_1 + W_2 X_2 + W_3 X_3 = (-2) \\cdot 2 + (-2) \\cdot 1 + (-2) '
                                    '\\cdot 0 = -6$$',
                        'tolerance': 'exact (a whole number)',
                        'values': {'W': (-2.0, -2.0, -2.0), 'X': (2.0, 1.0, 0.0, -2.0, -1.0), 'i': 1}},
 ('rnn-state-gradient', 17): {'abs_tol': 0.0,
                              'choices': (),
                              'expected': -0.42,
                              'question': 'The counting RNN $S_k = S_{k-1} w_{rec} + X_k w_x$ (linear: no '
                                          'activation) runs $T = 4$ steps with $w_{rec} = 1.4$. As in the '
                                          'assignment, the loss $L$ depends on the states only through the last '
                                          'one, $S_{4}$; the inputs $X_k$ and the weights are fixed numbers. The '
                                          'loss gradient at the last state is $\\partial L / \\partial S_{4} = '
                                          '-0.3$. What is $\\partial L / \\partial S_{3}$, 1 step back (the total '
                                          'derivative, through every later state)?',
                              'rel_tol': 0.005,
                              'size': False,
                              'slips': ((-0.3, 'That is 0 factors of $w_{rec}$; 1 step back takes 1.'),
                                        (-0.5879999999999999,
                                         'That is 2 factors of $w_{rec}$; 1 step back takes 1.')),
                              'solution': 'The loss reaches $S_{k-1}$ only through the next state $S_k$, so each '
                                          'step back multiplies by $\\partial S_k / \\partial S_{k-1} = w_{rec}$:\n'
                                          '\n'
                                          '$$\\dfrac{\\partial L}{\\partial S_{3}} = \\dfrac{\\partial '
                                          'L}{\\partial S_{4}} \\, w_{rec}^{1} = (-0.3) \\cdot 1.4^{1} = (-0.3) '
                                          '\\cdot 1.4 = -0.42$$',
                              'tolerance': 'within 0.5 % of the answer: three significant digits are enough (a '
                                           'fraction such as -5/16 works too)',
                              'values': {'T': 4, 'grad_last': -0.3, 'n': 1, 'w_rec': 1.4}},
 ('rnn-state-gradient', 99): {'abs_tol': 1e-09,
                              'choices': (),
                              'expected': -2.0,
                              'question': 'The counting RNN $S_k = S_{k-1} w_{rec} + X_k w_x$ (linear: no '
                                          'activation) runs $T = 10$ steps with $w_{rec} = 1$. As in the '
                                          'assignment, the loss $L$ depends on the states only through the last '
                                          'one, $S_{10}$; the inputs $X_k$ and the weights are fixed numbers. The '
                                          'loss gradient at the last state is $\\partial L / \\partial S_{10} = '
                                          '-2$. What is $\\partial L / \\partial S_{5}$, 5 steps back (the total '
                                          'derivative, through every later state)?',
                              'rel_tol': 0.0,
                              'size': False,
                              'slips': ((-2.0, 'That is 4 factors of $w_{rec}$; 5 steps back take 5.'),
                                        (-2.0, 'That is 6 factors of $w_{rec}$; 5 steps back take 5.')),
                              'solution': 'The loss reaches $S_{k-1}$ only through the next state $S_k$, so each '
                                          'step back multiplies by $\\partial S_k / \\partial S_{k-1} = w_{rec}$:\n'
                                          '\n'
                                          '$$\\dfrac{\\partial L}{\\partial S_{5}} = \\dfrac{\\partial '
                                          'L}{\\partial S_{10}} \\, w_{rec}^{5} = (-2) \\cdot 1^{5} = (-2) \\cdot '
                                          '1 = -2$$',
                              'tolerance': 'exact (the answer is a whole number)',
                              'values': {'T': 10, 'grad_last': -2.0, 'n': 5, 'w_rec': 1.0}},
 ('vanish-or-explode', 0): {'abs_tol': 0.0,
                            'choices': ('vanishes', 'explodes', 'neither'),
                            'expected': 'neither',
                            'question': 'The counting RNN runs $T = 10$ steps with $w_{rec} = 1.01$. Going back '
                                        'from $S_{10}$ to $S_0$, does the gradient **vanish** (shrink more than '
                                        '100×), **explode** (grow more than 100×) or **neither**?',
                            'rel_tol': 0.0,
                            'size': False,
                            'slips': (),
                            'solution': '$$\\dfrac{|\\partial L / \\partial S_0|}{|\\partial L / \\partial '
                                        'S_{10}|} = |w_{rec}|^{10} = 1.01^{10} \\approx 1.1$$\n'
                                        '\n'
                                        'That is between 1/100 and 100: **neither**, over 10 steps.',
                            'tolerance': 'pick one',
                            'values': {'T': 10, 'factor': 1.1046221254112045, 'w_rec': 1.01}},
 ('vanish-or-explode', 1): {'abs_tol': 0.0,
                            'choices': ('vanishes', 'explodes', 'neither'),
                            'expected': 'explodes',
                            'question': 'The counting RNN runs $T = 100$ steps with $w_{rec} = 1.26$. Going back '
                                        'from $S_{100}$ to $S_0$, does the gradient **vanish** (shrink more than '
                                        '100×), **explode** (grow more than 100×) or **neither**?',
                            'rel_tol': 0.0,
                            'size': False,
                            'slips': (),
                            'solution': '$$\\dfrac{|\\partial L / \\partial S_0|}{|\\partial L / \\partial '
                                        'S_{100}|} = |w_{rec}|^{100} = 1.26^{100} \\approx 1.09 \\times 10^{10}$$\n'
                                        '\n'
                                        'That is above 100: the gradient **explodes** ($|w_{rec}| > 1$).',
                            'tolerance': 'pick one',
                            'values': {'T': 100, 'factor': 10890667821.928028, 'w_rec': 1.26}},
 ('vanish-or-explode', 11): {'abs_tol': 0.0,
                             'choices': ('vanishes', 'explodes', 'neither'),
                             'expected': 'vanishes',
                             'question': 'The counting RNN runs $T = 20$ steps with $w_{rec} = 0.63$. Going back '
                                         'from $S_{20}$ to $S_0$, does the gradient **vanish** (shrink more than '
                                         '100×), **explode** (grow more than 100×) or **neither**?',
                             'rel_tol': 0.0,
                             'size': False,
                             'slips': (),
                             'solution': '$$\\dfrac{|\\partial L / \\partial S_0|}{|\\partial L / \\partial '
                                         'S_{20}|} = |w_{rec}|^{20} = 0.63^{20} \\approx 9.7 \\times 10^{-5}$$\n'
                                         '\n'
                                         'That is below 1/100: the gradient **vanishes** ($|w_{rec}| < 1$).',
                             'tolerance': 'pick one',
                             'values': {'T': 20, 'factor': 9.700876798663494e-05, 'w_rec': 0.63}}}


@pytest.mark.parametrize("name, seed", list(GOLDEN))
def test_the_whole_problem_is_the_one_checked_by_hand(name, seed):
    exercise = draw(name, seed)
    want = GOLDEN[(name, seed)]
    assert (exercise.generator, exercise.seed) == (name, seed)
    for key, value in want.items():
        got = getattr(exercise, key)
        if key == "slips":
            got = tuple((float(v), words) for v, words in got)
        if key == "values":
            got = {k: (tuple(float(x) for x in v) if isinstance(v, tuple) else v) for k, v in got.items()}
        assert got == value, key


def test_answering_without_the_dilation_names_that_slip():
    named = 0
    for seed in range(300):
        exercise = draw("conv-output-size", seed)
        v = exercise.values
        if v["D"] == 1:
            continue
        no_dilation = (v["H"] + 2 * v["P"] - v["K"]) // v["S"] + 1
        other_slips = {v["H"] - v["K"] + 1, (v["H"] + 2 * v["P"] - v["D"] * (v["K"] - 1) - 1) / v["S"] + 1}
        if no_dilation == exercise.expected or no_dilation in other_slips:
            continue
        message = check(exercise, str(no_dilation)).message
        assert message.endswith("That ignores the dilation: a dilated kernel spans $D(K-1)+1$."), (seed, message)
        named += 1
    assert named > 20
